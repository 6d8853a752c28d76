*** Settings ***
Documentation    客户关系管理系统
...    由 flowsmith 生成：每个用例一个任务，每个步骤一个关键字。标记为 not-implemented 的关键字尚待编写。

*** Tasks ***

系统登录
    [Documentation]    主要参与者: 客服人员
    ...    目标: 客服人员登录系统，开始处理客户事务。
    ...    触发条件: 客服人员打开系统登录页面。
    ...    前置条件: 客服人员已拥有有效的系统账户。
    ...    成功保证: 客服人员进入系统主页，系统记录登录日志。
    客服人员填写用户名、密码和图形验证码
    系统校验图形验证码
    ${ext_2a}=    验证码过期?
    IF    $ext_2a
        系统刷新图形验证码，并提示客服人员重新输入
        客服人员输入新的验证码
        Resume At Step    2
    END
    TRY
        系统验证用户身份
    EXCEPT    账户被锁定
        系统提示账户已被锁定，并显示自动解锁的时间
        Fail    账户被锁定
    END
    ${ext_3a}=    密码错误?
    ${ext_3c}=    客服人员首次登录?
    IF    $ext_3a
        TRY
            系统累计该账户的登录失败次数
        EXCEPT    连续失败达到五次
            系统将该账户锁定三十分钟
            系统提示账户已被锁定，请联系系统管理员
            Fail    连续失败达到五次
        END
        系统提示用户名或密码错误
        客服人员重新填写密码
        Resume At Step    2
    ELSE IF    $ext_3c
        系统要求客服人员修改初始密码
        客服人员设置符合规则的新密码
    END
    系统记录登录日志
    系统显示主页和待处理事项

查询客户信息
    [Documentation]    主要参与者: 客服人员
    ...    目标: 客服人员找到客户的资料。
    ...    触发条件: 客户来电或到店咨询业务。
    ...    前置条件: 客服人员已登录系统。
    ...    成功保证: 系统显示客户的详细信息，并记录查询日志。
    客服人员选择查询条件：ID、姓名、手机号或邮箱
    客服人员输入查询内容并提交
    系统校验查询内容的格式
    ${ext_3a}=    手机号格式错误?
    ${ext_3b}=    邮箱格式错误?
    IF    $ext_3a
        系统提示手机号须为11位数字
        Resume At Step    2
    ELSE IF    $ext_3b
        系统提示邮箱格式不正确
        Resume At Step    2
    END
    TRY
        系统检索客户信息
    EXCEPT    客户数据库无响应
        系统提示查询服务暂时不可用，请稍后重试
        Fail    客户数据库无响应
    END
    ${ext_4a}=    查询无结果?
    IF    $ext_4a
        系统提示未找到符合条件的客户
        客服人员与客户核对查询内容
        ${ext_4a2a}=    客户确认尚未建档?
        IF    $ext_4a2a
            客服人员转入“新增客户”，为客户建档
            Fail    客户确认尚未建档
        END
        Resume At Step    1
    END
    系统以列表显示查询结果
    ${ext_5a}=    结果超过一页?
    IF    $ext_5a
        系统分页显示结果，每页二十条
    END
    客服人员选择一位客户
    系统显示该客户的详细信息和最近的联系记录

新增客户
    [Documentation]    主要参与者: 客服人员
    ...    目标: 为新客户建立客户档案。
    ...    触发条件: 客户首次办理业务。
    ...    前置条件: 客服人员已登录系统，并拥有新增客户的权限。
    ...    成功保证: 客户档案已保存，系统为客户分配唯一的客户ID。
    ...    最低保证: 未通过校验的信息不会写入客户库。
    客服人员选择新增客户
    系统显示客户信息表单
    客服人员填写客户的姓名、手机号、邮箱和地址
    系统校验手机号和邮箱的格式
    ${ext_4a}=    手机号格式错误?
    ${ext_4b}=    客户没有邮箱?
    IF    $ext_4a
        系统标出手机号字段，并提示正确的格式
        客服人员更正手机号
        Resume At Step    4
    ELSE IF    $ext_4b
        系统将邮箱记为空，并提示以短信作为通知方式
    END
    TRY
        系统按手机号检查客户是否已存在
    EXCEPT    客户已存在
        系统显示已有客户的档案，并提示不能重复建档
        客服人员与客户核对已有档案
        ${ext_5a2a}=    已有档案的信息需要更新?
        IF    $ext_5a2a
            客服人员转入“修改客户信息”，更新已有档案
            Pass Execution    已有档案的信息需要更新
        END
        Fail    客户已存在
    END
    客服人员确认提交
    TRY
        系统保存客户档案并分配客户ID
    EXCEPT    保存失败
        系统保留已填写的内容，并提示稍后重试
        Fail    保存失败
    END
    系统显示新建的客户档案

修改客户信息
    [Documentation]    主要参与者: 客服人员
    ...    目标: 更正或更新客户档案中的信息。
    ...    触发条件: 客户要求变更联系方式或地址。
    ...    前置条件: 客服人员已登录系统，并已找到该客户。
    ...    成功保证: 客户档案已更新，系统记录修改人、修改时间和修改前后的值。
    客服人员打开客户档案并选择编辑
    系统显示可编辑的客户信息
    客服人员修改手机号、邮箱或地址
    系统校验修改后的信息
    ${ext_4a}=    手机号格式错误?
    ${ext_4b}=    新手机号已被其他客户使用?
    IF    $ext_4a
        系统提示手机号须为11位数字
        客服人员更正手机号
        Resume At Step    4
    ELSE IF    $ext_4b
        系统显示占用该手机号的客户
        客服人员与客户核对手机号
        Resume At Step    3
    END
    系统向新手机号发送短信验证码
    ${ext_5a}=    手机号没有修改?
    IF    $ext_5a
        系统跳过短信验证
        Resume At Step    8
    END
    客服人员录入客户提供的验证码
    TRY
        系统核对验证码
    EXCEPT    验证码连续三次错误
        系统取消本次修改，并记录异常日志
        Fail    验证码连续三次错误
    END
    ${ext_7a}=    验证码过期?
    IF    $ext_7a
        系统提示验证码已过期
        客服人员为客户重新获取验证码
        Resume At Step    6
    END
    TRY
        系统保存修改并记录修改日志
    EXCEPT    档案已被他人修改
        系统显示最新档案与本次修改的差异
        客服人员确认要保留的值
        Resume At Step    8
    END

停用客户
    [Documentation]    主要参与者: 客服主管
    ...    目标: 停用不再往来的客户档案，同时保留历史记录。
    ...    触发条件: 客户要求注销，或客户三年内没有任何往来。
    ...    前置条件: 客服主管已登录系统，并已找到该客户。
    ...    成功保证: 客户档案标记为停用，不再出现在默认查询结果中。
    客服主管选择停用客户
    TRY
        系统检查该客户是否有未完成的工单
    EXCEPT    客户有未完成的工单
        系统列出未完成的工单及其负责人
        Fail    客户有未完成的工单
    END
    客服主管填写停用原因
    系统要求客服主管再次确认
    系统将客户档案标记为停用，并记录操作日志

*** Keywords ***

客服人员填写用户名、密码和图形验证码
    [Documentation]    「系统登录」第1步：客服人员填写用户名、密码和图形验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员填写用户名、密码和图形验证码。

系统校验图形验证码
    [Documentation]    「系统登录」第2步：系统校验图形验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统校验图形验证码。

验证码过期?
    [Documentation]    「系统登录」第2a步的条件：验证码过期时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统刷新图形验证码，并提示客服人员重新输入
    [Documentation]    「系统登录」第2a1步：系统刷新图形验证码，并提示客服人员重新输入。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统刷新图形验证码，并提示客服人员重新输入。

客服人员输入新的验证码
    [Documentation]    「系统登录」第2a2步：客服人员输入新的验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员输入新的验证码。

系统验证用户身份
    [Documentation]    「系统登录」第3步：系统验证用户身份。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统验证用户身份。

密码错误?
    [Documentation]    「系统登录」第3a步的条件：密码错误时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

客服人员首次登录?
    [Documentation]    「系统登录」第3c步的条件：客服人员首次登录时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统提示账户已被锁定，并显示自动解锁的时间
    [Documentation]    「系统登录」第3b1步：系统提示账户已被锁定，并显示自动解锁的时间。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示账户已被锁定，并显示自动解锁的时间。

系统累计该账户的登录失败次数
    [Documentation]    「系统登录」第3a1步：系统累计该账户的登录失败次数。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统累计该账户的登录失败次数。

系统将该账户锁定三十分钟
    [Documentation]    「系统登录」第3a1a1步：系统将该账户锁定三十分钟。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统将该账户锁定三十分钟。

系统提示账户已被锁定，请联系系统管理员
    [Documentation]    「系统登录」第3a1a2步：系统提示账户已被锁定，请联系系统管理员。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示账户已被锁定，请联系系统管理员。

系统提示用户名或密码错误
    [Documentation]    「系统登录」第3a2步：系统提示用户名或密码错误。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示用户名或密码错误。

客服人员重新填写密码
    [Documentation]    「系统登录」第3a3步：客服人员重新填写密码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员重新填写密码。

系统要求客服人员修改初始密码
    [Documentation]    「系统登录」第3c1步：系统要求客服人员修改初始密码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统要求客服人员修改初始密码。

客服人员设置符合规则的新密码
    [Documentation]    「系统登录」第3c2步：客服人员设置符合规则的新密码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员设置符合规则的新密码。

系统记录登录日志
    [Documentation]    「系统登录」第4步：系统记录登录日志。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统记录登录日志。

系统显示主页和待处理事项
    [Documentation]    「系统登录」第5步：系统显示主页和待处理事项。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示主页和待处理事项。

客服人员选择查询条件：ID、姓名、手机号或邮箱
    [Documentation]    「查询客户信息」第1步：客服人员选择查询条件：ID、姓名、手机号或邮箱。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员选择查询条件：ID、姓名、手机号或邮箱。

客服人员输入查询内容并提交
    [Documentation]    「查询客户信息」第2步：客服人员输入查询内容并提交。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员输入查询内容并提交。

系统校验查询内容的格式
    [Documentation]    「查询客户信息」第3步：系统校验查询内容的格式。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统校验查询内容的格式。

手机号格式错误?
    [Documentation]    「查询客户信息」第3a步的条件：手机号格式错误时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

邮箱格式错误?
    [Documentation]    「查询客户信息」第3b步的条件：邮箱格式错误时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统提示手机号须为11位数字
    [Documentation]    「查询客户信息」第3a1步：系统提示手机号须为11位数字。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示手机号须为11位数字。

系统提示邮箱格式不正确
    [Documentation]    「查询客户信息」第3b1步：系统提示邮箱格式不正确。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示邮箱格式不正确。

系统检索客户信息
    [Documentation]    「查询客户信息」第4步：系统检索客户信息。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统检索客户信息。

查询无结果?
    [Documentation]    「查询客户信息」第4a步的条件：查询无结果时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统提示查询服务暂时不可用，请稍后重试
    [Documentation]    「查询客户信息」第4b1步：系统提示查询服务暂时不可用，请稍后重试。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示查询服务暂时不可用，请稍后重试。

系统提示未找到符合条件的客户
    [Documentation]    「查询客户信息」第4a1步：系统提示未找到符合条件的客户。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示未找到符合条件的客户。

客服人员与客户核对查询内容
    [Documentation]    「查询客户信息」第4a2步：客服人员与客户核对查询内容。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员与客户核对查询内容。

客户确认尚未建档?
    [Documentation]    「查询客户信息」第4a2a步的条件：客户确认尚未建档时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

客服人员转入“新增客户”，为客户建档
    [Documentation]    「查询客户信息」第4a2a1步：客服人员转入“新增客户”，为客户建档。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员转入“新增客户”，为客户建档。

系统以列表显示查询结果
    [Documentation]    「查询客户信息」第5步：系统以列表显示查询结果。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统以列表显示查询结果。

结果超过一页?
    [Documentation]    「查询客户信息」第5a步的条件：结果超过一页时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统分页显示结果，每页二十条
    [Documentation]    「查询客户信息」第5a1步：系统分页显示结果，每页二十条。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统分页显示结果，每页二十条。

客服人员选择一位客户
    [Documentation]    「查询客户信息」第6步：客服人员选择一位客户。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员选择一位客户。

系统显示该客户的详细信息和最近的联系记录
    [Documentation]    「查询客户信息」第7步：系统显示该客户的详细信息和最近的联系记录。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示该客户的详细信息和最近的联系记录。

客服人员选择新增客户
    [Documentation]    「新增客户」第1步：客服人员选择新增客户。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员选择新增客户。

系统显示客户信息表单
    [Documentation]    「新增客户」第2步：系统显示客户信息表单。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示客户信息表单。

客服人员填写客户的姓名、手机号、邮箱和地址
    [Documentation]    「新增客户」第3步：客服人员填写客户的姓名、手机号、邮箱和地址。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员填写客户的姓名、手机号、邮箱和地址。

系统校验手机号和邮箱的格式
    [Documentation]    「新增客户」第4步：系统校验手机号和邮箱的格式。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统校验手机号和邮箱的格式。

客户没有邮箱?
    [Documentation]    「新增客户」第4b步的条件：客户没有邮箱时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统标出手机号字段，并提示正确的格式
    [Documentation]    「新增客户」第4a1步：系统标出手机号字段，并提示正确的格式。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统标出手机号字段，并提示正确的格式。

客服人员更正手机号
    [Documentation]    「新增客户」第4a2步：客服人员更正手机号。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员更正手机号。

系统将邮箱记为空，并提示以短信作为通知方式
    [Documentation]    「新增客户」第4b1步：系统将邮箱记为空，并提示以短信作为通知方式。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统将邮箱记为空，并提示以短信作为通知方式。

系统按手机号检查客户是否已存在
    [Documentation]    「新增客户」第5步：系统按手机号检查客户是否已存在。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统按手机号检查客户是否已存在。

系统显示已有客户的档案，并提示不能重复建档
    [Documentation]    「新增客户」第5a1步：系统显示已有客户的档案，并提示不能重复建档。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示已有客户的档案，并提示不能重复建档。

客服人员与客户核对已有档案
    [Documentation]    「新增客户」第5a2步：客服人员与客户核对已有档案。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员与客户核对已有档案。

已有档案的信息需要更新?
    [Documentation]    「新增客户」第5a2a步的条件：已有档案的信息需要更新时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

客服人员转入“修改客户信息”，更新已有档案
    [Documentation]    「新增客户」第5a2a1步：客服人员转入“修改客户信息”，更新已有档案。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员转入“修改客户信息”，更新已有档案。

客服人员确认提交
    [Documentation]    「新增客户」第6步：客服人员确认提交。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员确认提交。

系统保存客户档案并分配客户ID
    [Documentation]    「新增客户」第7步：系统保存客户档案并分配客户ID。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统保存客户档案并分配客户ID。

系统保留已填写的内容，并提示稍后重试
    [Documentation]    「新增客户」第7a1步：系统保留已填写的内容，并提示稍后重试。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统保留已填写的内容，并提示稍后重试。

系统显示新建的客户档案
    [Documentation]    「新增客户」第8步：系统显示新建的客户档案。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示新建的客户档案。

客服人员打开客户档案并选择编辑
    [Documentation]    「修改客户信息」第1步：客服人员打开客户档案并选择编辑。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员打开客户档案并选择编辑。

系统显示可编辑的客户信息
    [Documentation]    「修改客户信息」第2步：系统显示可编辑的客户信息。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示可编辑的客户信息。

客服人员修改手机号、邮箱或地址
    [Documentation]    「修改客户信息」第3步：客服人员修改手机号、邮箱或地址。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员修改手机号、邮箱或地址。

系统校验修改后的信息
    [Documentation]    「修改客户信息」第4步：系统校验修改后的信息。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统校验修改后的信息。

新手机号已被其他客户使用?
    [Documentation]    「修改客户信息」第4b步的条件：新手机号已被其他客户使用时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统显示占用该手机号的客户
    [Documentation]    「修改客户信息」第4b1步：系统显示占用该手机号的客户。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示占用该手机号的客户。

客服人员与客户核对手机号
    [Documentation]    「修改客户信息」第4b2步：客服人员与客户核对手机号。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员与客户核对手机号。

系统向新手机号发送短信验证码
    [Documentation]    「修改客户信息」第5步：系统向新手机号发送短信验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统向新手机号发送短信验证码。

手机号没有修改?
    [Documentation]    「修改客户信息」第5a步的条件：手机号没有修改时返回 \${TRUE}
    ...    尚未实现：返回 \${FALSE}，主成功场景照常运行。
    [Tags]    not-implemented    condition
    RETURN    ${FALSE}

系统跳过短信验证
    [Documentation]    「修改客户信息」第5a1步：系统跳过短信验证。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统跳过短信验证。

客服人员录入客户提供的验证码
    [Documentation]    「修改客户信息」第6步：客服人员录入客户提供的验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员录入客户提供的验证码。

系统核对验证码
    [Documentation]    「修改客户信息」第7步：系统核对验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统核对验证码。

系统取消本次修改，并记录异常日志
    [Documentation]    「修改客户信息」第7b1步：系统取消本次修改，并记录异常日志。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统取消本次修改，并记录异常日志。

系统提示验证码已过期
    [Documentation]    「修改客户信息」第7a1步：系统提示验证码已过期。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统提示验证码已过期。

客服人员为客户重新获取验证码
    [Documentation]    「修改客户信息」第7a2步：客服人员为客户重新获取验证码。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员为客户重新获取验证码。

系统保存修改并记录修改日志
    [Documentation]    「修改客户信息」第8步：系统保存修改并记录修改日志。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统保存修改并记录修改日志。

系统显示最新档案与本次修改的差异
    [Documentation]    「修改客户信息」第8a1步：系统显示最新档案与本次修改的差异。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统显示最新档案与本次修改的差异。

客服人员确认要保留的值
    [Documentation]    「修改客户信息」第8a2步：客服人员确认要保留的值。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服人员确认要保留的值。

客服主管选择停用客户
    [Documentation]    「停用客户」第1步：客服主管选择停用客户。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服主管选择停用客户。

系统检查该客户是否有未完成的工单
    [Documentation]    「停用客户」第2步：系统检查该客户是否有未完成的工单。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统检查该客户是否有未完成的工单。

系统列出未完成的工单及其负责人
    [Documentation]    「停用客户」第2a1步：系统列出未完成的工单及其负责人。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统列出未完成的工单及其负责人。

客服主管填写停用原因
    [Documentation]    「停用客户」第3步：客服主管填写停用原因。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：客服主管填写停用原因。

系统要求客服主管再次确认
    [Documentation]    「停用客户」第4步：系统要求客服主管再次确认。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统要求客服主管再次确认。

系统将客户档案标记为停用，并记录操作日志
    [Documentation]    「停用客户」第5步：系统将客户档案标记为停用，并记录操作日志。
    ...    尚未实现。
    [Tags]    not-implemented
    Fail    尚未实现：系统将客户档案标记为停用，并记录操作日志。

Resume At Step
    [Arguments]    ${step}
    [Documentation]    用例在此回到第 ${step} 步。
    ...    Robot Framework 没有跳转：实现时把从那一步起的步骤写成关键字或 WHILE 循环。
    Log    回到第 ${step} 步
